/** The columns a change fills, in user_action_changes' order; the chain's canonical form depends on it (src/integrity/canonical.ts). */
export const CHANGE_COLUMNS = ['change_id', 'event_id', 'request_id', 'timestamp', 'user_id', 'username', 'model', 'table_name', 'record_id', 'operation', 'changes'] as const;
