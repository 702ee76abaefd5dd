"""The analyst's side: importing documents a user has, the provinces × year table, bids, export and
charts."""
