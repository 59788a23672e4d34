"""Format adapters, one package per standard family.

Nothing here registers itself: ``hub.cli.build_registry`` lists the families
and registers what each package's ``adapters()`` returns.
"""
