"""What leaders read: follow-up figures and complaint exports (SQL, CSV, XLSX)."""
