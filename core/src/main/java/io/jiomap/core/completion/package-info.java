/** Where completions run when nobody else runs them: the completion workqueue, and how threads wait for work. */
package io.jiomap.core.completion;
