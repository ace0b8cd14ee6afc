"""Inventory: data model, stores (GeoPackage, PostGIS), validation, import/export, sample data."""
