from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:id }}``: a dict's value in a template (0 when absent)."""
    return (mapping or {}).get(key, 0)
