"""The web app: serving the workbooks with Voila (kept free of Voila imports until it starts)."""
