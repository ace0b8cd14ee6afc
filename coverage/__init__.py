"""coverage package (see the issue tracker: built on the inventory)."""
