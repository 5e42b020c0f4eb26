/** "2:05" for 125 seconds. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export function formatStart(startTime: string | null): string {
  return startTime ? new Date(startTime).toLocaleString() : "unknown";
}
