"""The reports of D5: query code returning plain rows; the views only render them."""
