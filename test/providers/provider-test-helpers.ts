// What the provider tests share: the AWS environment that points the real SDK at the fake EC2
// server, and catching the one UsageError a bad option must give.
import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.ts';

/** Points the SDK at `endpoint` with test credentials (and nothing from the machine's own). */
export function useFakeEc2Env(endpoint: string, keyFile: string): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_KEYPAIR_NAME: 'hitc',
    AWS_SSH_KEY_FILENAME: keyFile,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}

/** The UsageError `promise` rejects with (fails the test if it resolves or throws another). */
export async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a UsageError, but it resolved');
}
