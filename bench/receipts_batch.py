"""Benchmark: annual receipts through the real issuing path vs a naive WeasyPrint loop.

    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/receipts_batch.py [--count 2000]

Creates an organization with COUNT donors who chose an annual receipt, then, in the same run:
- the naive baseline: the same template rendered with `HTML(string=...).write_pdf()` per receipt, in
  one process of its own, with a new stylesheet and no shared font configuration, on a sample
  (--naive-sample, default 200) so that the run stays within a few minutes, measured in four slices
  interleaved with the issuing run (its renderings in flight finished first) so that both see the
  same load on a shared machine;
- the issuing path: `receipts.services.annual.run_annual` with its process pool (one worker per
  core, a FontConfiguration and a parsed stylesheet each), numbering and storing every receipt in
  PostgreSQL, chunk by chunk.
Prints receipts/s for both, the CPU each receipt costs the parent and the workers, memory at the
start, middle and end of the issuing run, `ratio receipts_batch_vs_naive = X (target 4)`, and the
growth of the parent's RSS over the issuing run (`memory parent_rss_growth_mib = X (...)`).
"""
import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_kib(pid="self"):
    """(current RSS, peak RSS) in KiB of a process, from /proc."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    except FileNotFoundError:
        return 0, 0
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def memory_line(label, pool):
    parent_rss, parent_peak = rss_kib()
    workers = [rss_kib(pid) for pid in (pool.executor._processes or {})]
    worker_rss = sum(r for r, _ in workers)
    worker_peak = max((p for _, p in workers), default=0)
    return (f"memory {label:6}: parent RSS {parent_rss / 1024:6.1f} MiB (peak {parent_peak / 1024:6.1f}), "
            f"workers RSS {worker_rss / 1024:6.1f} MiB (largest peak {worker_peak / 1024:6.1f})")


def cpu_seconds(pid="self"):
    """User + system CPU seconds a process has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(pool):
    return cpu_seconds(), sum(cpu_seconds(pid) for pid in (pool.executor._processes or {}))


def seed(db, count, year):
    from sqlalchemy import insert

    from campaigns import services
    from campaigns.demo import signature_png
    from campaigns.models import Campaign, CampaignStatus, FundingModel, ReceiptRegime
    from donations.models import Donation

    organization = services.create_organization(
        slug="bench-asso", name="Association Bench", legal_form="Association loi 1901", rna="W922000001",
        address_line1="1 rue Houdan", postal_code="92330", city="Sceaux",
        objet="Soutien aux habitants du territoire.", receipt_regime=ReceiptRegime.general_interest,
        signatory_name="Camille Petit", signatory_title="Présidente")
    # No receipt is issued unsigned: the signatory's image is on every page, as in production.
    services.set_organization_image(organization, "signature", signature_png("Camille Petit"))
    now = datetime.now(timezone.utc)
    campaign = Campaign(organization_id=organization.id, slug="bench", title="Bench", status=CampaignStatus.published,
                        funding_model=FundingModel.keep_it_all, category="solidarity", commune="Sceaux",
                        insee_code="92071", goal_cents=10_000_000, starts_at=now - timedelta(days=400),
                        ends_at=now + timedelta(days=30))
    db.session.add(campaign)
    db.session.flush()
    rows = [dict(public_id=f"bench{i:08d}", campaign_id=campaign.id, organization_id=organization.id,
                 status="succeeded", donor_type="individual", amount_cents=1_000 + i * 7, refunded_cents=0,
                 tier_fair_value_cents=0, anonymous=False, public_message="", receipt_choice="annual",
                 monthly=False, payment_method="card", payment_reference="", first_name=f"Prénom{i}",
                 last_name=f"Nom{i}", email=f"donateur{i}@example.org", address_line1=f"{i} rue de Sceaux",
                 address_line2="", postal_code="92330", city="Sceaux", country="France",
                 paid_on=date(year, 1 + i % 12, 1 + i % 28), failure_reason="", created_at=now, updated_at=now)
            for i in range(count)]
    for start in range(0, count, 1000):
        db.session.execute(insert(Donation), rows[start:start + 1000])
    db.session.commit()
    return organization


def naive(documents):
    """The baseline: what one would write first, per receipt, in one process."""
    from weasyprint import CSS, HTML

    from receipts.services.pdf import STYLESHEET, TEMPLATE, qr_data_uri, template_environment

    template = template_environment().get_template(TEMPLATE)
    css_text = STYLESHEET.read_text(encoding="utf-8")
    started = time.perf_counter()
    for document in documents:
        page = template.render(doc={**document, "qr_uri": qr_data_uri(document["verification_url"])})
        HTML(string=page).write_pdf(stylesheets=[CSS(string=css_text)])
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        sys.exit("BENCH_DATABASE_URL is not set (make bench sets it to a throw-away PostgreSQL)")

    from app import create_app
    from app.extensions import db
    from receipts.services import documents
    from receipts.services.annual import plan_annual, run_annual
    from receipts.services.issuing import numbered_receipt
    from receipts.services.pdf import RenderPool

    year = date.today().year - 1
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "OUTBOX_DIR": tempfile.mkdtemp(), "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        organization = seed(db, args.count, year)
        print(f"{args.count} donors with an annual receipt for {year} on {db.engine.dialect.name}")

        # The naive baseline renders the very documents the issuing path would, on a sample.
        plan = plan_annual(organization, year)
        beneficiary = documents.beneficiary_snapshot(organization)
        sample = [documents.build_document(numbered_receipt(d, year + 1, i + 1, date.today(), beneficiary), d)
                  for i, d in enumerate(plan.drafts[:args.naive_sample])]
        # Other processes share these cores and their load drifts: the naive sample is measured in
        # four slices interleaved with the issuing run (the issuing clock stops meanwhile), so that
        # both sides see the same machine.
        slices = [sample[k::4] for k in range(4)]
        marks = [args.count * k // 4 for k in range(1, 4)]
        # The naive loop runs in a process of its own: a new FontConfiguration per receipt grows its
        # memory (about 13 MiB every 50 receipts), which must not be counted as the issuing path's.
        baseline = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        naive_seconds = baseline.submit(naive, slices[0]).result()
        paused, done, naive_spent = [0.0], [0], [0.0]

        with RenderPool(args.workers) as pool:
            list(pool.render_many(sample[:pool.workers]))  # start the workers outside the timing
            print(memory_line("start", pool))

            def progress(n):
                before = done[0]
                done[0] += n
                if before == 0:
                    rss_first_chunk[0] = rss_kib()[0]
                for k, mark in enumerate(marks, start=1):
                    if before < mark <= done[0]:
                        if k == 2:
                            print(memory_line("middle", pool))
                        # The issuing path renders ahead: let the renderings in flight finish (on the
                        # issuing clock) so that the naive slice runs alone, as it does at the start.
                        while pool.executor._pending_work_items:
                            time.sleep(0.005)
                        pause = time.perf_counter()
                        naive_spent[0] += baseline.submit(naive, slices[k]).result()
                        paused[0] += time.perf_counter() - pause

            rss_start, rss_first_chunk = rss_kib()[0], [0]
            cpu_start = cpu_snapshot(pool)
            started = time.perf_counter()
            _, issued = run_annual(organization, year, renderer=pool, progress=progress)
            seconds = time.perf_counter() - started - paused[0]
            cpu_end = cpu_snapshot(pool)
            rss_end = rss_kib()[0]
            print(memory_line("end", pool))
            parent_cpu = cpu_end[0] - cpu_start[0]
            workers_cpu = cpu_end[1] - cpu_start[1]
        baseline.shutdown()
        naive_seconds += naive_spent[0]
        naive_rate = len(sample) / naive_seconds
        print(f"naive baseline: {len(sample)} receipts in {naive_seconds:.1f}s = {naive_rate:.1f} receipts/s "
              f"(one process, HTML(string=...).write_pdf() per receipt, measured in 4 slices during the run)")
        rate = issued / seconds
        print(f"issuing path: {issued} receipts numbered, rendered and stored in {seconds:.1f}s = {rate:.1f} "
              f"receipts/s ({pool.workers} rendering processes)")
        print(f"CPU per receipt: parent {1000 * parent_cpu / issued:.1f} ms, rendering workers "
              f"{1000 * workers_cpu / issued:.1f} ms (naive: {1000 * naive_seconds / len(sample):.1f} ms wall)")
        db.session.remove()
        db.engine.dispose()
    print(f"ratio receipts_batch_vs_naive = {rate / naive_rate:.2f} (target 4)")
    # The plan (every draft and gift of the year) is made in the first chunk's time: the growth is
    # measured from the end of the first chunk.
    print(f"memory parent_rss_growth_mib = {(rss_end - rss_first_chunk[0]) / 1024:.1f} (parent RSS "
          f"{rss_start / 1024:.1f} MiB at the start, {rss_first_chunk[0] / 1024:.1f} after the first chunk, "
          f"{rss_end / 1024:.1f} at the end of {issued} receipts; target: flat)")


if __name__ == "__main__":
    main()
