// An SSH public key blob starts with its type as an SSH string (uint32 length + bytes).

export function hostKeyBlobInfo(blob: Buffer): { type: string; base64: string } {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
  return { type, base64: blob.toString('base64') };
}
