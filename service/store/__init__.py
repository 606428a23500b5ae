"""The store: the database engine, the models, migrations and bulk statements."""
