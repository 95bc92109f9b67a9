"""SMSC's legacy HTTP protocol, pure: commands build parameters, parsers read bodies."""
