"""The public vocabulary: every enum, input and output shape both APIs serve, declared once."""
