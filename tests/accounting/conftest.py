"""Fixtures of the accounting tests: shops and gifts as the round-up and receipts tests make them."""
from datetime import date, timedelta

import pytest

from tests.receipts.conftest import Gifts
from tests.roundup.conftest import Shops

IBAN_A = "FR7630006000011234567890189"
IBAN_B = "FR1420041010050500013M02606"


@pytest.fixture
def shops(app, actors):
    return Shops(app, actors)


@pytest.fixture
def gifts(app, client, localstripe):
    return Gifts(app, client, localstripe)


def last_month() -> date:
    first = date.today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)
