"""``{% slot "app.page" name=value %}``: the panels higher apps add to this page (core.slots)."""

from django import template

from core.slots import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str, **values):
    return render_slot(name, context.get("request"), values)
