from churnsim.cli import main

main()
