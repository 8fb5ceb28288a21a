"""The Panel app: a browser view of the hip driven from Python."""
