// `html` tagged templates rendered by Preact (htm): JSX-like markup with no build
// step. Text in `${…}` is always inserted as text, never parsed as HTML, which is
// how user content stays inert; nothing in the client sets innerHTML.

import { h } from './vendor/preact.js';
import htm from './vendor/htm.js';

export const html = htm.bind(h);
