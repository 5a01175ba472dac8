"""What both engines share: month-0 customers, market conditions, network, tallies."""
