def seed_transfer() -> None:
    return None
