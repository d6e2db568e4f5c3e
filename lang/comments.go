package lang

func attachComments(f *File, spans []span, cs []comment) {}
