def seed_finance_demo() -> None:
    return None
