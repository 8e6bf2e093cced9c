"""Integrations with the programs and frameworks applications run in.

Each module imports its framework only inside itself, so importing
``cio_analytics`` never imports a framework; modules that need a third-party
package are installed through an extra of the same name.
"""
