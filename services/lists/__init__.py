"""The exclusion lists' files imported as editions (importer.py), from the command line (cli.py) and the API."""
