/** One calendar day in milliseconds: ПОС counts deadlines in calendar days, so weekends and holidays count too. */
export const DAY_MS = 24 * 3600 * 1000;
