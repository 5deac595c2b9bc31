import { useMemo } from 'react';
import { Section } from '../common/Section';
import { ThreadsControl } from './ThreadsControl';
import { MemPolicyControl } from './MemPolicyControl';
import { useVariables, VariablesTable } from './VariablesTable';
import { ExtraEnvEditor } from './ExtraEnvEditor';

export function RunSettingsPanel() {
  const vars = useVariables();
  const known = useMemo(() => new Set(vars.map((v) => v.name)), [vars]);
  return (
    <Section title="Run settings" className="run-settings" testId="run-settings">
      <ThreadsControl />
      <MemPolicyControl />
      <details className="sub" open>
        <summary>Engine variables</summary>
        <VariablesTable vars={vars} />
      </details>
      <details className="sub">
        <summary>Extra environment variables</summary>
        <ExtraEnvEditor known={known} />
      </details>
    </Section>
  );
}
