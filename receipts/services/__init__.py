"""Receipt services: plain values in, receipts out. The caller commits (except `run_annual`, a batch)."""
from receipts.services.annual import plan_annual, run_annual  # noqa: F401
from receipts.services.cancellation import cancel_receipt  # noqa: F401
from receipts.services.exports import (export_csv, export_zip, get_receipt, receipt_years,  # noqa: F401
                                       receipts_query, tax_declaration)
from receipts.services.issuing import ReceiptDraft, issue_receipts  # noqa: F401
from receipts.services.tax import simulate  # noqa: F401
