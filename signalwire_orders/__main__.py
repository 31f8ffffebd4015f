"""
``python -m signalwire_orders``: the same CLI as the ``signalwire-orders`` command.

Example::

    python -m signalwire_orders demo
"""

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
