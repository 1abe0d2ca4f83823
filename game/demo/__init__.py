"""The bundled demo choreography's generator: Coco the bear dancing to a synthesised song.

coach.py (the animation as an exact 3-D BlazePose skeleton, the routine on the beat grid),
stage.py (drawing frames with OpenCV), music.py (the song), build.py
(``python -m game.demo.build`` writes choreographies/demo/ deterministically).
"""
