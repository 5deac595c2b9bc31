export { ShellMenuCommands, type ShellHooks } from './ShellMenuCommands';
export { take as takeHandoff } from './handoff';
