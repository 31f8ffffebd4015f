"""
The API's operations, one method each, grouped as ``client.orders`` etc.

One module per group, on one base (``base.py``: the engine, the settings and
the walk over pages that every ``pages()``/``list()`` shares):

* ``orders.py``     ``client.orders``: list, pages, get, create, list_many, wait
* ``numbers.py``    ``client.numbers``: list, pages, delete
* ``campaigns.py``  ``client.campaigns``: get, list, pages, list_all, create, update
* ``brands.py``     ``client.brands``: get, list, pages, create
"""

from .brands import Brands
from .campaigns import Campaigns
from .numbers import Numbers
from .orders import Orders

__all__ = ["Brands", "Campaigns", "Numbers", "Orders"]
