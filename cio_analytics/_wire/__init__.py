"""What one message is: argument checks, the value scan, builders, wire Structs, clock and ids.

Pure functions: nothing here does I/O or starts a thread.
"""
