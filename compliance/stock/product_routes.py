"""Product catalogue views."""

from flask import render_template, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from compliance.extensions import db
from compliance.forms import options
from compliance.models.stock import Product
from compliance.permissions import requires
from compliance.services import products, stock_queries
from compliance.stock import bp
from compliance.stock.forms import ProductForm
from compliance.views import run_form


class EditProductForm(ProductForm):
    reason = TextAreaField("Reason for the change", validators=[DataRequired(), Length(max=500)])


def _details(form: ProductForm) -> products.ProductDetails:
    return products.ProductDetails(
        name=form.name.data.strip(), active_ingredient=(form.active_ingredient.data or "").strip(),
        strength_percent=form.strength_percent.data, container_type=form.container_type.data,
        container_volume_ul=products.ml_to_ul(form.container_volume_ml.data,
                                              "container_volume_ml"),
        single_use=form.single_use.data, gtin=(form.gtin.data or "").strip() or None,
        max_volume_per_session_ul=products.ml_to_ul(form.max_volume_per_session_ml.data,
                                                    "max_volume_per_session_ml"),
        active=form.active.data, reorder_level_containers=form.reorder_level_containers.data)


def _with_sclerosants(form: ProductForm) -> ProductForm:
    form.active_ingredient.choices = options(
        [("", "Choose a sclerosant")] + [(s.name, s.name) for s in stock_queries.sclerosants()])
    return form


@bp.route("/products/")
@requires("view_stock")
def product_list():
    return render_template("stock/products.html", products=stock_queries.products())


@bp.route("/products/new", methods=["GET", "POST"])
@requires("manage_stock")
def product_new():
    form = _with_sclerosants(ProductForm())
    return run_form(
        form, lambda: products.create_product(current_user, _details(form)),
        success=lambda product: f"Product {product.name} added.",
        to=url_for("stock.product_list"),
    ) or render_template("stock/product_form.html", form=form, product=None)


def _edit_form(product: Product) -> EditProductForm:
    form = _with_sclerosants(EditProductForm(obj=product))
    if not form.is_submitted():
        form.container_volume_ml.data = product.container_volume_ul / 1000
        form.max_volume_per_session_ml.data = product.max_volume_per_session_ul / 1000
    return form


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@requires("manage_stock")
def product_edit(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = _edit_form(product)
    return run_form(
        form, lambda: products.update_product(current_user, product.id, _details(form),
                                              form.reason.data),
        success=lambda changed: f"Product {changed.name} updated.",
        to=url_for("stock.product_list"),
    ) or render_template("stock/product_form.html", form=form, product=product)
