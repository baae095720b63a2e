/* embedding.h includes <stdlib.h> but uses nothing from it. A freestanding
 * compiler ships no stdlib.h, so this empty one stands in for it. */
#ifndef PORT_STDLIB_H
#define PORT_STDLIB_H
#endif
