"""ShopDemo: a desktop shop that makes session-based recommendation visible.

GRU4Rec and SASRec predict a visitor's next click live, side by side. See README.md.
"""

__version__ = "0.1.0"
