"""Stock pages: overview, batches, goods-in, waste, returns, stocktakes, transfers."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from compliance.stock import (  # noqa: E402,F401
    product_routes,
    routes,
    stocktake_routes,
    transfer_routes,
)
