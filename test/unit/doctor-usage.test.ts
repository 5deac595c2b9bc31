// `aio-tuner doctor --help` lists exactly the flags the doctor accepts, and the registry holds every issue-14 code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCTOR_OPTIONS } from '../../app/cli/doctor';
import { HELP, USAGE } from '../../app/cli/usage';
import { HOST_CHECKS } from '../../app/doctor';
import { DOCTOR_CODES } from '../../app/shared/doctor';

const flagsIn = (text: string) =>
  new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));

describe('doctor usage and registry', () => {
  it('lists every flag it accepts, and none it rejects', () => {
    const listed = flagsIn(USAGE.doctor!);
    for (const flag of Object.keys(DOCTOR_OPTIONS)) assert.ok(listed.has(flag), `--${flag} listed`);
    for (const flag of listed) assert.ok(flag in DOCTOR_OPTIONS, `--${flag} listed but rejected`);
    assert.match(HELP, /aio-tuner doctor {3}\[--sysroot DIR \| --target URL\]/);
  });
  it('one check per code, each with where its rule comes from', () => {
    assert.deepEqual(HOST_CHECKS.map((c) => c.code).sort(), [...DOCTOR_CODES].sort());
    for (const c of HOST_CHECKS) assert.ok(c.source.length > 20, c.code);
  });
});
