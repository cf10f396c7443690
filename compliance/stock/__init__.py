"""Stock pages: overview, batches, goods-in, waste, returns, stocktakes."""

from flask import Blueprint

bp = Blueprint("stock", __name__)

from compliance.stock import product_routes, routes, stocktake_routes  # noqa: E402,F401
