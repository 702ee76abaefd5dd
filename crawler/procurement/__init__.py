"""Procurement notices: the notice parser (type, buyer, lots, suppliers), amounts in
元/万元/大写, and the records storage keeps."""
