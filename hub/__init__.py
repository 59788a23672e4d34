"""e-port hub: enter once, declare separately.

The engine (this package) knows no message format; format knowledge lives in
the ``adapters`` package, registered explicitly by the CLI's composition root.
"""

__version__ = "0.1.0"
