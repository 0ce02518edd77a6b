print("PicoBench: see scripts/bench")
