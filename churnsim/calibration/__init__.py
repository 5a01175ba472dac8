"""``churnsim calibrate``: fit a scenario's free parameters to a firm's own retention data."""
