"""What people read: plots, the house style, the HTML report and the terminal summary."""
