"""Content on disk: choreography YAML, its schema, media probing and level-design lint.

Above ``scoring``, which keeps the pure, frozen ``Choreography``/``Move`` model and reads no
files. Game, authoring, reports and ``dance score`` load choreographies through
``content.loader.load_choreography``.
"""
