"""The scoring test kit: what a team imports to check a scorer or a choreography against the
aims of scoring.md (the same code the project's own tests and benchmarks use).

    testkit.corpus_aims   every aim over recorded motion capture, for any scorer
                          (run_corpus(clips, views, score_fn=...) -> Table of pass rates)
    testkit.choreo        one choreography and its reference track: per move, does the
                          scorer tell the dance from its imitations (check_choreography)
    testkit.players       player tracks made from any pose track: warped in time (delay,
                          tempo), each move backwards, a frozen pose, a limb turned
    testkit.samples       real footage tracked once per process (pose2sim, sports2d)

A scorer is any ``score_fn(choreo, ref_track, player_track)`` returning an object with
``total`` (0-100) and ``judgements`` (each with ``score`` and ``parts``), as
scoring.processor.score_track does. The kit imports content/ (mocap files) and pose/
(tracking), so it lives above scoring/ and is never imported by the game.
"""
