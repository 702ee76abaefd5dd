"""Adapters of one site each: a provincial procurement site's own API or form, not a CMS family
shared by many sites (those sit one folder up)."""
