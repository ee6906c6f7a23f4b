"""Dynamic providers. Importable modules: Pulumi pickles providers *by reference* to these paths, so
renaming or moving a module breaks update/delete of resources already in a stack's state."""
