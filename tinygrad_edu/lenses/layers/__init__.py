"""The layer view: the documents' matrix equations (δ, aᵀδ, Wδ) read off a network's scalar
graph, entry by entry, with the edges each entry sums."""
