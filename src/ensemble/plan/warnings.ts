// The plan's loud warnings about firewalls, and how ensemble.up tells the lock-out one apart.

/** The plan's warning for a firewall in which no rule admits the SSH port. */
export function lockoutWarning(server: string, port: number): string {
  return `${server}.firewall admits SSH (port ${port}) from no listed source: only the address hitc applies it from gets in, and after that address changes or the server reboots nobody can log in`;
}

/** Whether a warning is the lock-out one (ensemble.up refuses those; the others only warn). */
export function isLockoutWarning(warning: string): boolean {
  return / admits SSH \(port \d+\) from no listed source: /.test(warning);
}

/** The plan's warning when the rules admit SSH, but not from where the operator is. */
export function transientOnlyWarning(server: string, peer: string): string {
  return `${server}.firewall: you (${peer}) get in only through a transient rule that is not kept across reboots; add your address to the SSH rule's sources`;
}
