"""What is in force on a date, and the clock events its named dates cause."""
