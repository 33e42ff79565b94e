"""What every statistics page of the office shares: the period form, the small-number rule, the SVG charts and
the formula-safe CSV export.

The hotline's statistics came first; the referral statistics (case core) and each programme's statistics
(returns, resettlement, health, livelihoods) report the same way, so that a figure reads, protects and exports
alike on every page. The pieces live here, with public names, rather than in one app that the others reach into:

- `periods`: the quick periods and two dates (`PeriodChoice`, `period_dates`, `PeriodForm`, `quick_periods`);
- `tables`: counts, shares and the small-number rule (`Cell`, `Row`, `Column`, `Table`, `percent`,
  `apply_small_number_rule`);
- `charts`: bar and column charts drawn on the server as inline SVG;
- `exports`: spreadsheet-safe CSV (`safe_text`, `csv_bytes`, `csv_download`).
"""
