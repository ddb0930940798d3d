"""Model training and evaluation: pure functions over tables the store or a file hands in.

``evaluate`` measures a ranking on any labelled declarations table (``interdictor evaluate``):
history features for identifiers computed strictly from earlier rows (``history``), the other
columns encoded for LightGBM (``features``, ``booster``), and the model beside a random ranking and
a lookup (memorisation) baseline (``baselines``), each at the top 1, 2, 5 and 10 % (``metrics``).
Nothing here opens a file or a connection.
"""
